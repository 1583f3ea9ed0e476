package org.springframework.web.client;

import java.net.URI;
import java.util.Map;
import org.springframework.http.ResponseEntity;

public class RestTemplate {
    public RestTemplate() { }
    public <T> T getForObject(String url, Class<T> responseType, Object... uriVariables) { return null; }
    public <T> T getForObject(String url, Class<T> responseType, Map<String, ?> uriVariables) { return null; }
    public <T> T getForObject(URI url, Class<T> responseType) { return null; }
    public <T> ResponseEntity<T> getForEntity(String url, Class<T> responseType, Object... uriVariables) { return null; }
    public <T> ResponseEntity<T> getForEntity(URI url, Class<T> responseType) { return null; }
    public <T> T postForObject(String url, Object request, Class<T> responseType, Object... uriVariables) { return null; }
}
