package io.flagledger.audit.siem;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.List;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * Syslog over TCP (RFC 6587) or TLS (RFC 5425). Plain syslog has no acknowledgements, and a write into a socket
 * whose peer just died still "succeeds"; so each batch uses its own connection, half-closes it after the last
 * record and waits for the server to close its side, which a receiver does only after reading everything. A reset
 * or timeout instead means the batch is sent again: at least once, never silently lost.
 */
final class SyslogSink implements Sink {

    private final SiemConfig.Syslog config;
    private final SSLSocketFactory tls;
    private final String hostname;
    private final String appName;
    private final SiemFormat format;

    SyslogSink(SiemConfig.Syslog config, SSLSocketFactory tls, String hostname, String appName) {
        this.config = config;
        this.tls = tls;
        this.hostname = hostname;
        this.appName = appName;
        this.format = SiemFormat.of(config.format(), "flagledger.siem.syslog.format");
    }

    @Override
    public String name() {
        return "syslog";
    }

    @Override
    public void send(List<SiemRecord> records) throws SinkException {
        int timeout = (int) config.timeout().toMillis();
        try (Socket socket = connect(timeout)) {
            socket.setSoTimeout(timeout);
            OutputStream out = socket.getOutputStream();
            for (SiemRecord r : records) {
                out.write(Rfc5424.frame(r, hostname, appName, config.sdId(), format.render(r).toString()));
            }
            out.flush();
            socket.shutdownOutput();
            InputStream in = socket.getInputStream();
            while (in.read() != -1) {
                // a syslog receiver sends nothing; wait for its close
            }
        } catch (SocketTimeoutException e) {
            throw SinkException.transientFailure("syslog server " + config.host() + ":" + config.port()
                    + " did not confirm the batch within " + config.timeout(), e);
        } catch (IOException e) {
            throw SinkException.transientFailure("syslog server " + config.host() + ":" + config.port() + ": " + e.getMessage(), e);
        }
    }

    private Socket connect(int timeout) throws IOException {
        Socket plain = new Socket();
        plain.connect(new InetSocketAddress(config.host(), config.port()), timeout);
        if (tls == null) {
            return plain;
        }
        SSLSocket socket = (SSLSocket) tls.createSocket(plain, config.host(), config.port(), true);
        var params = socket.getSSLParameters();
        params.setEndpointIdentificationAlgorithm("HTTPS"); // check the certificate names the host we dialled
        socket.setSSLParameters(params);
        socket.startHandshake();
        return socket;
    }
}
