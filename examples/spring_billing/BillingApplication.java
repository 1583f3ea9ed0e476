package com.example.billing;

import javax.sql.DataSource;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.jdbc.DataSourceBuilder;
import org.springframework.context.annotation.Bean;

/**
 * Entry point of the billing service: invoices, exports and customer sign-in.
 */
@SpringBootApplication
public class BillingApplication {

    public static void main(String[] args) {
        SpringApplication.run(BillingApplication.class, args);
    }

    /**
     * Builds the billing database pool from the deployment environment.
     */
    @Bean
    public DataSource billingDataSource() {
        return DataSourceBuilder.create()
                .url(System.getenv("BILLING_DB_URL"))
                .username(System.getenv("BILLING_DB_USER"))
                .password(System.getenv("BILLING_DB_PASSWORD"))
                .build();
    }
}
