/** What other modules may use of routing's geometry. */
export { haversineKm } from './geo';
