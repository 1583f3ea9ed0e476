package com.example.billing;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.springframework.stereotype.Service;

/**
 * Produces invoice exports on disk and restores saved export schedules.
 */
@Service
public class ExportService {

    private static final Path EXPORT_ROOT = Paths.get("/srv/billing/exports");
    private static final String RENDERER = "/usr/local/bin/wkhtmltopdf";

    /**
     * Renders an invoice HTML page to PDF with the external renderer.
     */
    public Path renderPdf(long invoiceId, String pageTitle) throws IOException, InterruptedException {
        Path output = EXPORT_ROOT.resolve("invoice-" + invoiceId + ".pdf");
        String source = "http://localhost:8080/invoices/" + invoiceId + "/print";
        Process process = new ProcessBuilder(List.of(RENDERER, "--title", pageTitle, source, output.toString()))
                .redirectErrorStream(true)
                .start();
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            process.destroyForcibly();
            throw new IOException("renderer failed for invoice " + invoiceId);
        }
        return output;
    }

    /**
     * Opens a previously generated export by its file name.
     */
    public InputStream openExport(String fileName) throws IOException {
        Path root = EXPORT_ROOT.toRealPath();
        Path requested = root.resolve(fileName).normalize().toRealPath();
        if (!requested.startsWith(root)) {
            throw new IOException("export not found: " + fileName);
        }
        return Files.newInputStream(requested);
    }

    /**
     * Restores an export schedule that a client uploaded after saving it earlier.
     */
    public ExportSchedule importSchedule(byte[] upload) throws IOException, ClassNotFoundException {
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(upload))) {
            return (ExportSchedule) in.readObject();
        }
    }

    /** A recurring export: which customer, in which format, how often. */
    public record ExportSchedule(String customer, String format, String cron) implements java.io.Serializable {
    }
}
