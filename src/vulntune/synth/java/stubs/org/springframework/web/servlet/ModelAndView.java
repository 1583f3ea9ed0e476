package org.springframework.web.servlet;

public class ModelAndView {
    public ModelAndView() { }
    public ModelAndView(String viewName) { }
    public void setViewName(String viewName) { }
    public ModelAndView addObject(String attributeName, Object attributeValue) { return this; }
}
