package io.flagledger.contract.note;

import static io.flagledger.contract.note.NoteVerificationException.Failure.MALFORMED;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/** A C2SP signed note, parsed but not verified: text (ending in a newline), a blank line, signature lines. */
public record SignedNote(String text, List<NoteSignature> signatures) {

    /** An em dash (U+2014) and a space open every signature line. */
    public static final String SIGNATURE_PREFIX = "\u2014 ";

    /** The reference implementation's bound, so a hostile note cannot make us verify forever. */
    static final int MAX_SIGNATURES = 100;

    public SignedNote {
        checkText(text);
        signatures = List.copyOf(signatures);
    }

    public String format() {
        StringBuilder b = new StringBuilder(text).append('\n');
        signatures.forEach(s -> b.append(s.line()));
        return b.toString();
    }

    public static SignedNote parse(byte[] note) throws NoteVerificationException {
        try {
            return parse(StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(note)).toString());
        } catch (CharacterCodingException e) {
            throw new NoteVerificationException(MALFORMED, "note is not valid UTF-8");
        }
    }

    public static SignedNote parse(String note) throws NoteVerificationException {
        if (note == null) {
            throw new NoteVerificationException(MALFORMED, "note is missing");
        }
        int split = note.lastIndexOf("\n\n");
        if (split < 0) {
            throw new NoteVerificationException(MALFORMED, "note has no blank line before its signatures");
        }
        String text = note.substring(0, split + 1);
        String block = note.substring(split + 2);
        if (block.isEmpty() || !block.endsWith("\n")) {
            throw new NoteVerificationException(MALFORMED, "note has no signature lines, or they do not end in a newline");
        }
        try {
            checkText(text);
        } catch (IllegalArgumentException e) {
            throw new NoteVerificationException(MALFORMED, e.getMessage());
        }
        String[] lines = block.substring(0, block.length() - 1).split("\n", -1);
        if (lines.length > MAX_SIGNATURES) {
            throw new NoteVerificationException(MALFORMED, "note has more than " + MAX_SIGNATURES + " signatures");
        }
        List<NoteSignature> signatures = new ArrayList<>(lines.length);
        for (int i = 0; i < lines.length; i++) {
            signatures.add(signature(lines[i], i + 1));
        }
        return new SignedNote(text, signatures);
    }

    private static NoteSignature signature(String line, int number) throws NoteVerificationException {
        String where = "signature line " + number;
        if (!line.startsWith(SIGNATURE_PREFIX)) {
            throw new NoteVerificationException(MALFORMED, where + " does not start with an em dash and a space");
        }
        String rest = line.substring(SIGNATURE_PREFIX.length());
        int space = rest.indexOf(' ');
        if (space <= 0) {
            throw new NoteVerificationException(MALFORMED, where + " has no key name followed by a space");
        }
        String name = rest.substring(0, space);
        String b64 = rest.substring(space + 1);
        byte[] blob;
        try {
            blob = Base64.getDecoder().decode(b64);
        } catch (IllegalArgumentException e) {
            throw new NoteVerificationException(MALFORMED, where + " signature is not base64");
        }
        if (blob.length < 5) {
            throw new NoteVerificationException(MALFORMED, where + " signature is shorter than a key hash and a signature");
        }
        int keyHash = ByteBuffer.wrap(blob, 0, 4).getInt();
        try {
            return new NoteSignature(name, keyHash, java.util.Arrays.copyOfRange(blob, 4, blob.length));
        } catch (IllegalArgumentException e) {
            throw new NoteVerificationException(MALFORMED, where + ": " + e.getMessage());
        }
    }

    /** Note text: non-empty lines, newline-terminated, no other control characters. */
    static void checkText(String text) {
        if (text == null || text.isEmpty() || !text.endsWith("\n")) {
            throw new IllegalArgumentException("note text must be non-empty and end with a newline");
        }
        if (text.codePoints().anyMatch(c -> c != '\n' && Character.isISOControl(c))) {
            throw new IllegalArgumentException("note text must not contain control characters other than newline");
        }
        if (!StandardCharsets.UTF_8.newEncoder().canEncode(text)) { // e.g. a lone surrogate
            throw new IllegalArgumentException("note text is not valid Unicode");
        }
    }
}
