package org.owasp.encoder;

public final class Encode {
    private Encode() { }
    public static String forHtml(String input) { return input; }
    public static String forHtmlContent(String input) { return input; }
    public static String forHtmlAttribute(String input) { return input; }
    public static String forJavaScript(String input) { return input; }
    public static String forUriComponent(String input) { return input; }
    public static String forXml(String input) { return input; }
}
