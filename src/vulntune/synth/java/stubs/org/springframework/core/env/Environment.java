package org.springframework.core.env;

public interface Environment {
    boolean containsProperty(String key);

    String getProperty(String key);

    String getProperty(String key, String defaultValue);

    String getRequiredProperty(String key) throws IllegalStateException;

    String[] getActiveProfiles();
}
