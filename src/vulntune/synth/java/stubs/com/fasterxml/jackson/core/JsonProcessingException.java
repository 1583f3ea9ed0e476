package com.fasterxml.jackson.core;

import java.io.IOException;

public class JsonProcessingException extends IOException {
    protected JsonProcessingException(String msg) { super(msg); }
}
