import java.util.concurrent.atomic.LongAdder;
public class HandWritten { public static void main(String[] a) { long t=System.nanoTime();
  LongAdder[] x = new LongAdder[10]; for (int i=0;i<10;i++){x[i]=new LongAdder(); x[i].increment();}
  StringBuilder sb=new StringBuilder(); for (int i=0;i<10;i++) sb.append("# HELP m").append(i).append(" x\n# TYPE m").append(i).append(" counter\nm").append(i).append("{a=\"b\"} ").append(x[i].sum()).append('\n');
  System.out.println("first render ms=" + (System.nanoTime()-t)/1e6 + " bytes=" + sb.length()); } }
