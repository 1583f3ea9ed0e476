package com.fasterxml.jackson.databind;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.io.IOException;
import java.io.InputStream;

public class ObjectMapper {
    public ObjectMapper() { }
    @Deprecated
    public ObjectMapper enableDefaultTyping() { return this; }
    public <T> T readValue(InputStream src, Class<T> valueType) throws IOException { return null; }
    public <T> T readValue(byte[] src, Class<T> valueType) throws IOException { return null; }
    public <T> T readValue(String content, Class<T> valueType) throws JsonProcessingException { return null; }
    public JsonNode readTree(InputStream in) throws IOException { return null; }
    public JsonNode readTree(String content) throws JsonProcessingException { return null; }
    public String writeValueAsString(Object value) throws JsonProcessingException { return ""; }
}
