package org.springframework.web.util;

public abstract class HtmlUtils {
    public static String htmlEscape(String input) { return input; }
    public static String htmlEscape(String input, String encoding) { return input; }
    public static String htmlEscapeDecimal(String input) { return input; }
    public static String htmlUnescape(String input) { return input; }
}
