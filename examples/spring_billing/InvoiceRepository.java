package com.example.billing;

import java.math.BigDecimal;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

/**
 * JDBC access to the invoices table.
 */
@Repository
public class InvoiceRepository {

    private static final String COLUMNS = "id, customer_name, amount, due_date, status";

    private final JdbcTemplate jdbc;

    public InvoiceRepository(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /** A single invoice row. */
    public record Invoice(long id, String customerName, BigDecimal amount, LocalDate dueDate, String status) {
    }

    private static Invoice mapRow(ResultSet rs, int rowNum) throws SQLException {
        return new Invoice(
                rs.getLong("id"),
                rs.getString("customer_name"),
                rs.getBigDecimal("amount"),
                rs.getDate("due_date").toLocalDate(),
                rs.getString("status"));
    }

    /**
     * Finds the invoices of a customer, newest due date first.
     */
    public List<Invoice> findByCustomerName(String customerName) {
        String sql = "SELECT " + COLUMNS + " FROM invoices WHERE customer_name = '"
                + customerName + "' ORDER BY due_date DESC";
        return jdbc.query(sql, InvoiceRepository::mapRow);
    }

    /**
     * Loads one invoice by id.
     */
    public Optional<Invoice> findById(long id) {
        List<Invoice> rows = jdbc.query(
                "SELECT " + COLUMNS + " FROM invoices WHERE id = ?", InvoiceRepository::mapRow, id);
        return rows.stream().findFirst();
    }

    /**
     * Counts open invoices whose due date has passed, for the dunning dashboard.
     */
    public int countOverdue() {
        Integer count = jdbc.queryForObject(
                "SELECT COUNT(*) FROM invoices WHERE status = 'OPEN' AND due_date < CURRENT_DATE",
                Integer.class);
        return count == null ? 0 : count;
    }

    /**
     * Marks an invoice as paid.
     */
    public boolean markPaid(long id) {
        return jdbc.update("UPDATE invoices SET status = 'PAID' WHERE id = ?", id) == 1;
    }
}
