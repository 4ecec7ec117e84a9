package dev.gracekeeper.e2e;

import java.util.List;
import java.util.Locale;

/** Draws one termination as an SVG: a lane per actor with its events, and the app's connections. */
final class TimelineSvg {
    static final String[] LANES = {"kubelet", "lb", "app", "gracekeeper", "phase"};
    static final String[] LABELS = {"kubelet", "load balancer", "app container", "sidecar container", "sidecar phase"};

    private TimelineSvg() {}

    static String render(Timeline t, List<RollingBench.Sampler.Sample> samples, String title) {
        List<Timeline.Event> events = t.events();
        Timeline.Event deleted = t.first("kubelet", "pod deleted");
        long from = deleted == null ? 0 : deleted.ms() - 500;
        long to = events.isEmpty() ? from + 1000 : events.get(events.size() - 1).ms() + 500;
        int left = 150;
        int width = 1100;
        int laneH = 70;
        int chartTop = 40 + LANES.length * laneH + 20;
        int chartH = 120;
        int height = chartTop + chartH + 50;
        double scale = (width - left - 30) / (double) (to - from);
        StringBuilder svg = new StringBuilder();
        svg.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\""
                + " font-family=\"sans-serif\" font-size=\"11\">\n<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n"
                + "<text x=\"10\" y=\"20\" font-size=\"14\" font-weight=\"bold\">%s</text>\n", width, height, esc(title)));
        long zero = deleted == null ? from : deleted.ms();
        for (long s = zero; s <= to; s += 1000) {
            double x = left + (s - from) * scale;
            svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"35\" x2=\"%.1f\" y2=\"%d\" stroke=\"#ddd\"/>"
                    + "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" fill=\"#666\">%+.0fs</text>\n", x, x,
                    chartTop + chartH, x, chartTop + chartH + 15, (s - zero) / 1000.0));
        }
        for (int i = 0; i < LANES.length; i++) {
            int y = 40 + i * laneH;
            svg.append(String.format(Locale.ROOT, "<text x=\"10\" y=\"%d\" font-weight=\"bold\">%s</text>"
                    + "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#999\"/>\n", y + 20, LABELS[i], left, y + 16,
                    width - 30, y + 16));
            int k = 0;
            double lastX = -1000;
            for (Timeline.Event e : events) {
                if (!e.who().equals(LANES[i]) || e.ms() < from) continue;
                if (LANES[i].equals("lb") && !e.what().startsWith("pod0")) continue;
                double x = left + (e.ms() - from) * scale;
                k = x - lastX < 200 ? k + 1 : 0;                   // stack labels of events close together
                lastX = x;
                int ty = y + 30 + (k % 4) * 11;
                boolean nearEnd = x > width - 260;                  // keep labels inside the picture
                svg.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%d\" r=\"4\" fill=\"%s\"/>"
                        + "<text x=\"%.1f\" y=\"%d\"%s>%s</text>\n", x, y + 16, color(LANES[i]), nearEnd ? x - 3 : x + 3,
                        ty, nearEnd ? " text-anchor=\"end\"" : "", esc(shorten(e.what()))));
            }
        }
        int max = Math.max(1, samples.stream().mapToInt(RollingBench.Sampler.Sample::connections).max().orElse(1));
        svg.append(String.format(Locale.ROOT, "<text x=\"10\" y=\"%d\" font-weight=\"bold\">app connections</text>"
                + "<text x=\"10\" y=\"%d\" fill=\"#666\">(0-%d)</text>\n<polyline fill=\"none\" stroke=\"#1f77b4\""
                + " stroke-width=\"2\" points=\"", chartTop + 20, chartTop + 34, max));
        for (RollingBench.Sampler.Sample s : samples) {
            if (s.ms() < from) continue;
            svg.append(String.format(Locale.ROOT, "%.1f,%.1f ", left + (s.ms() - from) * scale,
                    chartTop + chartH - s.connections() * (chartH - 10) / (double) max));
        }
        svg.append("\"/>\n</svg>\n");
        return svg.toString();
    }

    private static String color(String lane) {
        return switch (lane) {
            case "kubelet" -> "#d62728";
            case "lb" -> "#ff7f0e";
            case "app" -> "#2ca02c";
            case "phase" -> "#9467bd";
            default -> "#1f77b4";
        };
    }

    private static String shorten(String s) {
        return s.length() > 48 ? s.substring(0, 45) + "..." : s;
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
