/** The tables this module creates in its migrations; no other module names them (ownership.test.ts). */
export const OWNED_TABLES = ['store_services', 'appointments', 'store_footfall'] as const;

export const APPOINTMENT_STATUSES = ['booked', 'completed', 'cancelled'] as const;
export type AppointmentStatus = (typeof APPOINTMENT_STATUSES)[number];
