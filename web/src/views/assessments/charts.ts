// ECharts, only the pieces this screen draws (a radar and a bar chart), so its chunk stays small.
import { BarChart, RadarChart } from "echarts/charts";
import { GridComponent, LegendComponent, RadarComponent, TooltipComponent } from "echarts/components";
import { use } from "echarts/core";
import { SVGRenderer } from "echarts/renderers";
import VChart from "vue-echarts";

use([RadarChart, BarChart, RadarComponent, GridComponent, TooltipComponent, LegendComponent, SVGRenderer]);

export { VChart };

/** Text colours with AA contrast on white. */
export const INK = "#1f2329";
export const MUTED = "#4b4f55";
export const BRAND = "#b3121e";
