import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;

/**
 * Someone else's connections: established loopback connections, held until the process is killed.
 *
 *   java Crowd accept N          # prints "port P", accepts N connections, prints "done N"
 *   java Crowd connect P N       # opens N connections to port P, prints "done N"
 *
 * One end per process, so that each stays below the open-file limit (a container may cap it at
 * 20000 even for root). bench/drain-cost.sh runs pairs of them in a network namespace of their own
 * to show that the sidecar's cost does not grow with connections that are not its pod's.
 */
public final class Crowd {
    public static void main(String[] args) throws Exception {
        InetAddress lo = InetAddress.getLoopbackAddress();
        List<Object> held = new ArrayList<>();
        int n;
        if (args[0].equals("accept")) {
            n = Integer.parseInt(args[1]);
            ServerSocket server = new ServerSocket(0, 4096, lo);
            held.add(server);
            System.out.println("port " + server.getLocalPort());
            System.out.flush();
            for (int i = 0; i < n; i++) held.add(server.accept());
        } else {
            int port = Integer.parseInt(args[1]);
            n = Integer.parseInt(args[2]);
            for (int i = 0; i < n; i++) held.add(new Socket(lo, port));
        }
        System.out.println("done " + n);
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
        System.out.println(held.size());
    }
}
