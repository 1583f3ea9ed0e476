package com.example.billing;

import java.util.List;

import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

import com.example.billing.InvoiceRepository.Invoice;

/**
 * REST endpoints for looking up and settling invoices.
 */
@RestController
@RequestMapping("/invoices")
public class InvoiceController {

    private final InvoiceRepository invoices;

    public InvoiceController(InvoiceRepository invoices) {
        this.invoices = invoices;
    }

    @GetMapping
    public List<Invoice> byCustomer(@RequestParam("customer") String customer) {
        return invoices.findByCustomerName(customer);
    }

    @GetMapping("/{id}")
    public Invoice byId(@PathVariable("id") long id) {
        return invoices.findById(id)
                .orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND));
    }

    @GetMapping(value = "/overdue", produces = MediaType.TEXT_PLAIN_VALUE)
    public String overdueCount() {
        return Integer.toString(invoices.countOverdue());
    }

    @PostMapping("/{id}/paid")
    public void markPaid(@PathVariable("id") long id) {
        if (!invoices.markPaid(id)) {
            throw new ResponseStatusException(HttpStatus.NOT_FOUND);
        }
    }
}
