/** One colour per sales channel, shared by the chart, its legend and the tables. */
export const CHANNEL_COLORS: Record<string, string> = {
  pos: '#e4572e',
  mini_program: '#17a34a',
  app: '#2f6fdf',
  web: '#8b5cf6',
  group_buy: '#e0a21b',
};

export function channelColor(channel: string): string {
  return CHANNEL_COLORS[channel] ?? '#94a3b8';
}
