package org.springframework.http;

public class MediaType {
    public static final MediaType APPLICATION_JSON = new MediaType("application", "json");
    public static final String APPLICATION_JSON_VALUE = "application/json";
    public static final MediaType TEXT_HTML = new MediaType("text", "html");
    public static final String TEXT_HTML_VALUE = "text/html";
    public static final MediaType TEXT_PLAIN = new MediaType("text", "plain");
    public static final String TEXT_PLAIN_VALUE = "text/plain";
    public static final MediaType APPLICATION_XML = new MediaType("application", "xml");
    public static final String APPLICATION_XML_VALUE = "application/xml";
    public MediaType(String type, String subtype) { }
}
