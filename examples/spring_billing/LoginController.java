package com.example.billing;

import java.io.IOException;
import java.net.URI;
import java.util.Set;

import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;

/**
 * Customer portal sign-in and sign-out.
 */
@Controller
public class LoginController {

    private static final Set<String> PORTAL_HOSTS = Set.of("billing.example.com", "portal.example.com");
    private static final String HOME = "https://portal.example.com/";
    private static final int SESSION_SECONDS = 8 * 60 * 60;

    private final CustomerAuthenticator authenticator;

    public LoginController(CustomerAuthenticator authenticator) {
        this.authenticator = authenticator;
    }

    /**
     * Checks the credentials, opens a session and returns the customer to the page they came from.
     */
    @PostMapping("/login")
    public void login(@RequestParam("username") String username, @RequestParam("password") String password,
            @RequestParam(value = "next", defaultValue = "/") String next,
            HttpServletResponse response) throws IOException {
        String sessionToken = authenticator.authenticate(username, password);
        if (sessionToken == null) {
            response.sendError(HttpServletResponse.SC_UNAUTHORIZED);
            return;
        }
        issueSessionCookie(response, sessionToken);
        response.sendRedirect(next);
    }

    /**
     * Sets the portal session cookie on the response.
     */
    void issueSessionCookie(HttpServletResponse response, String sessionToken) {
        Cookie cookie = new Cookie("BILLING_SESSION", sessionToken);
        cookie.setHttpOnly(true);
        cookie.setPath("/");
        cookie.setMaxAge(SESSION_SECONDS);
        response.addCookie(cookie);
    }

    /**
     * Ends the session and sends the customer back to a portal page.
     */
    @PostMapping("/logout")
    public void logout(@RequestParam(value = "returnTo", defaultValue = HOME) String returnTo,
            HttpServletRequest request, HttpServletResponse response) throws IOException {
        request.getSession().invalidate();
        Cookie expired = new Cookie("BILLING_SESSION", "");
        expired.setHttpOnly(true);
        expired.setSecure(true);
        expired.setPath("/");
        expired.setMaxAge(0);
        response.addCookie(expired);

        URI target = URI.create(returnTo);
        if ("https".equals(target.getScheme()) && PORTAL_HOSTS.contains(target.getHost())) {
            response.sendRedirect(target.toString());
        } else {
            response.sendRedirect(HOME);
        }
    }

    /** Verifies customer credentials; returns a new session token, or null when they do not match. */
    public interface CustomerAuthenticator {
        String authenticate(String username, String password);
    }
}
