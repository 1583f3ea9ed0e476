package com.example.billing;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

import org.springframework.core.io.InputStreamResource;
import org.springframework.core.io.PathResource;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Download and scheduling endpoints for invoice exports.
 */
@RestController
@RequestMapping("/exports")
public class ExportController {

    private final ExportService exports;

    public ExportController(ExportService exports) {
        this.exports = exports;
    }

    @PostMapping("/{invoiceId}/pdf")
    public ResponseEntity<PathResource> renderInvoice(@PathVariable("invoiceId") long invoiceId,
            @RequestParam(value = "title", defaultValue = "Invoice") String title)
            throws IOException, InterruptedException {
        Path pdf = exports.renderPdf(invoiceId, title);
        return ResponseEntity.ok()
                .contentType(MediaType.APPLICATION_PDF)
                .contentLength(Files.size(pdf))
                .body(new PathResource(pdf));
    }

    @GetMapping("/download")
    public ResponseEntity<InputStreamResource> download(@RequestParam("file") String file) throws IOException {
        InputStream in = exports.openExport(file);
        return ResponseEntity.ok()
                .header(HttpHeaders.CONTENT_DISPOSITION, "attachment")
                .contentType(MediaType.APPLICATION_OCTET_STREAM)
                .body(new InputStreamResource(in));
    }

    @PostMapping(value = "/schedules", consumes = MediaType.APPLICATION_OCTET_STREAM_VALUE)
    public ExportService.ExportSchedule restoreSchedule(@RequestBody byte[] body)
            throws IOException, ClassNotFoundException {
        return exports.importSchedule(body);
    }
}
