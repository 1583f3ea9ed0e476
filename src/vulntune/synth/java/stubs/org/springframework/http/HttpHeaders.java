package org.springframework.http;

public class HttpHeaders {
    public static final String CONTENT_TYPE = "Content-Type";
    public static final String LOCATION = "Location";
    public static final String SET_COOKIE = "Set-Cookie";
    public static final String CACHE_CONTROL = "Cache-Control";
    public HttpHeaders() { }
    public void add(String headerName, String headerValue) { }
    public void set(String headerName, String headerValue) { }
}
