package com.fasterxml.jackson.databind;

public abstract class JsonNode {
    protected JsonNode() { }
    public abstract String asText();
    public JsonNode get(String fieldName) { return null; }
    public boolean has(String fieldName) { return false; }
}
