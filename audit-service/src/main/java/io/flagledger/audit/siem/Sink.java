package io.flagledger.audit.siem;

import java.util.List;

/** A SIEM destination. {@link #send} returns only once the receiver has taken every record. */
public interface Sink {

    /** Stable name, the key of its cursor. */
    String name();

    void send(List<SiemRecord> records) throws SinkException;
}
