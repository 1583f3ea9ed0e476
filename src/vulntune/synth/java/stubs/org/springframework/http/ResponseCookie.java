package org.springframework.http;

import java.time.Duration;

public final class ResponseCookie {
    private ResponseCookie() { }
    public String getName() { return null; }
    public String getValue() { return null; }
    public boolean isSecure() { return false; }
    public boolean isHttpOnly() { return false; }
    @Override
    public String toString() { return ""; }

    public static ResponseCookieBuilder from(String name, String value) { return null; }

    public interface ResponseCookieBuilder {
        ResponseCookieBuilder maxAge(Duration maxAge);
        ResponseCookieBuilder maxAge(long maxAgeSeconds);
        ResponseCookieBuilder domain(String domain);
        ResponseCookieBuilder path(String path);
        ResponseCookieBuilder secure(boolean secure);
        ResponseCookieBuilder httpOnly(boolean httpOnly);
        ResponseCookieBuilder sameSite(String sameSite);
        ResponseCookie build();
    }
}
