/** What other modules may use of pricing: the one engine's quote (the price a shelf page shows is THE price). */
export { quote } from './quote';
