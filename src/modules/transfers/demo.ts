/** What the demo seeder (src/demo/transfers.ts) uses of this module. */
export { createTransfer, receiveTransfer, shipTransfer } from './service';
