/** What the demo seeder (src/demo/forecasts.ts) uses of this module. */
export { createForecastEvent } from './events';
export { runForecastNow } from './runs';
