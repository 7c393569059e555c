package io.flagledger.e2e;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * HTTP/1.1 over a plain socket, byte for byte as given: request targets with raw or percent-encoded control bytes,
 * header values with NUL, CR or LF, bodies that are not valid UTF-8. {@link java.net.http.HttpClient} refuses to
 * send most of these. The body is written from another thread while the response is read, so a server that answers
 * (413, 400) before it has read a 10 MB body is still heard.
 */
final class RawHttp implements AutoCloseable {

    /** What came back: the status code, or -1 if the connection closed without one; the start of the body. */
    record Response(int status, String head) {
    }

    static final class Request {
        final String method;
        final byte[] target;
        final List<byte[]> headers = new ArrayList<>();
        byte[] body;

        Request(String method, String target) {
            this(method, target.getBytes(StandardCharsets.ISO_8859_1));
        }

        Request(String method, byte[] target) {
            this.method = method;
            this.target = target;
        }

        /** A header line; the value's chars 0-255 are sent as single bytes (so "\0", "\r", "\n" go out raw). */
        Request header(String name, String value) {
            headers.add((name + ": " + value).getBytes(StandardCharsets.ISO_8859_1));
            return this;
        }

        Request bearer(String token) {
            return token == null ? this : header("Authorization", "Bearer " + token);
        }

        Request json(byte[] json) {
            header("Content-Type", "application/json");
            this.body = json;
            return this;
        }

        Request json(String json) {
            return json(json.getBytes(StandardCharsets.UTF_8));
        }

        Request form(String urlEncoded) {
            header("Content-Type", "application/x-www-form-urlencoded");
            this.body = urlEncoded.getBytes(StandardCharsets.ISO_8859_1);
            return this;
        }
    }

    private final ExecutorService writers = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "raw-http-writer");
        t.setDaemon(true);
        return t;
    });

    Response send(String baseUrl, Request request, int timeoutMillis) {
        URI base = URI.create(baseUrl);
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(base.getHost(), base.getPort()), 5_000);
            socket.setSoTimeout(timeoutMillis);
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            head.writeBytes((request.method + " ").getBytes(StandardCharsets.US_ASCII));
            head.writeBytes(request.target);
            head.writeBytes((" HTTP/1.1\r\nHost: " + base.getHost() + ":" + base.getPort() + "\r\nConnection: close\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            for (byte[] h : request.headers) {
                head.writeBytes(h);
                head.writeBytes(new byte[] {'\r', '\n'});
            }
            byte[] body = request.body == null ? new byte[0] : request.body;
            if (request.body != null || !request.method.equals("GET")) {
                head.writeBytes(("Content-Length: " + body.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
            }
            head.writeBytes(new byte[] {'\r', '\n'});
            OutputStream out = socket.getOutputStream();
            writers.submit(() -> {
                try {
                    out.write(head.toByteArray());
                    for (int off = 0; off < body.length; off += 65_536) {
                        out.write(body, off, Math.min(65_536, body.length - off));
                    }
                    out.flush();
                } catch (IOException e) {
                    // the server answered and closed before reading everything: its answer is what counts
                }
            });
            return read(socket.getInputStream());
        } catch (IOException e) {
            return new Response(-1, e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    private static Response read(InputStream in) {
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        byte[] buf = new byte[4096];
        try {
            int n;
            while (got.size() < 2048 && (n = in.read(buf)) > 0) {
                got.write(buf, 0, n);
                if (got.toString(StandardCharsets.ISO_8859_1).contains("\r\n\r\n")) {
                    // headers complete: keep what of the body is already here (a problem's detail), never wait for more
                    int more = Math.min(in.available(), 1024);
                    if (more > 0) {
                        got.write(buf, 0, in.read(buf, 0, more));
                    }
                    break;
                }
            }
        } catch (IOException e) {
            if (got.size() == 0) {
                return new Response(-1, e.getClass().getSimpleName() + ": " + e.getMessage());
            }
        }
        String text = got.toString(StandardCharsets.ISO_8859_1);
        if (!text.startsWith("HTTP/1.") || text.length() < 12) {
            return new Response(-1, text.isEmpty() ? "closed without a response" : text);
        }
        return new Response(Integer.parseInt(text.substring(9, 12)), text.substring(0, Math.min(text.length(), 600)));
    }

    @Override
    public void close() {
        writers.shutdownNow();
    }
}
