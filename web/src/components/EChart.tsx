import { useEffect, useRef } from 'react';
import * as echarts from 'echarts/core';
import { BarChart, HeatmapChart, LineChart } from 'echarts/charts';
import {
  GridComponent,
  LegendComponent,
  MarkAreaComponent,
  TooltipComponent,
  VisualMapComponent,
} from 'echarts/components';
import { SVGRenderer } from 'echarts/renderers';
import type { ComposeOption } from 'echarts/core';
import type { BarSeriesOption, HeatmapSeriesOption, LineSeriesOption } from 'echarts/charts';
import type {
  GridComponentOption,
  LegendComponentOption,
  MarkAreaComponentOption,
  TooltipComponentOption,
  VisualMapComponentOption,
} from 'echarts/components';

// Only what the console draws is bundled: bars, lines, heat maps, their axes, tooltip, legend,
// colour scale and shaded ranges (a forecast's calendar events), as SVG (crisp at any zoom, and its
// text is in the page for screen readers and tests).
echarts.use([
  BarChart,
  LineChart,
  HeatmapChart,
  GridComponent,
  LegendComponent,
  MarkAreaComponent,
  TooltipComponent,
  VisualMapComponent,
  SVGRenderer,
]);

export type ChartOption = ComposeOption<
  | BarSeriesOption
  | LineSeriesOption
  | HeatmapSeriesOption
  | GridComponentOption
  | LegendComponentOption
  | MarkAreaComponentOption
  | TooltipComponentOption
  | VisualMapComponentOption
>;

/** An ECharts chart that follows its option and its container's width. */
export function EChart({
  option,
  height = 300,
  testId,
  label,
  data,
}: {
  option: ChartOption;
  height?: number;
  testId?: string;
  /** What the chart shows, for screen readers (the figure's accessible name). */
  label?: string;
  /** data-* attributes on the container (what the chart shows, for tests). */
  data?: Record<string, string | number>;
}) {
  const ref = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);

  useEffect(() => {
    const el = ref.current!;
    const c = echarts.init(el, undefined, { renderer: 'svg' });
    chart.current = c;
    const observer = new ResizeObserver(() => c.resize());
    observer.observe(el);
    return () => {
      observer.disconnect();
      c.dispose();
      chart.current = null;
    };
  }, []);

  useEffect(() => {
    chart.current?.setOption(option, { notMerge: true });
  }, [option]);

  const attrs = Object.fromEntries(Object.entries(data ?? {}).map(([k, v]) => [`data-${k}`, String(v)]));
  return (
    <figure className="chart echart" data-testid={testId} role="img" aria-label={label} {...attrs}>
      <div ref={ref} style={{ width: '100%', height }} />
    </figure>
  );
}
