package org.springframework.web.servlet.view;

public class RedirectView {
    public RedirectView() { }
    public RedirectView(String url) { }
    public RedirectView(String url, boolean contextRelative) { }
    public void setUrl(String url) { }
}
