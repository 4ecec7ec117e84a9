import io.prometheus.metrics.core.metrics.*;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import java.io.ByteArrayOutputStream;
public class PrometheusClient { public static void main(String[] a) throws Exception { long t=System.nanoTime();
  PrometheusRegistry r = new PrometheusRegistry();
  Counter c = Counter.builder().name("gk_shutdowns_total").help("x").labelNames("trigger","outcome").register(r);
  Counter h = Counter.builder().name("gk_hook_calls_total").help("x").labelNames("hook").register(r);
  Counter rj = Counter.builder().name("gk_rejected_total").help("x").labelNames("reason").register(r);
  Gauge g1 = Gauge.builder().name("gk_generation").help("x").register(r);
  Gauge g2 = Gauge.builder().name("gk_ready").help("x").register(r);
  Gauge g3 = Gauge.builder().name("gk_marker_ok").help("x").register(r);
  Histogram d = Histogram.builder().name("gk_drain_seconds").help("x").register(r);
  c.labelValues("SIGTERM","drained").inc(); h.labelValues("shutdown").inc(); rj.labelValues("no_token").inc();
  g1.set(1); g2.set(1); g3.set(1); d.observe(1.5);
  ByteArrayOutputStream out = new ByteArrayOutputStream();
  new PrometheusTextFormatWriter(false).write(out, r.scrape());
  System.out.println("first render ms=" + (System.nanoTime()-t)/1e6 + " bytes=" + out.size()); } }
