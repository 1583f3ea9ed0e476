package org.yaml.snakeyaml;

import java.io.InputStream;
import java.io.Reader;
import org.yaml.snakeyaml.constructor.BaseConstructor;

public class Yaml {
    public Yaml() { }
    public Yaml(BaseConstructor constructor) { }
    public Yaml(LoaderOptions loadingConfig) { }
    public <T> T load(String yaml) { return null; }
    public <T> T load(InputStream io) { return null; }
    public <T> T load(Reader io) { return null; }
    public <T> T loadAs(InputStream input, Class<? super T> type) { return null; }
    public <T> T loadAs(String yaml, Class<? super T> type) { return null; }
    public String dump(Object data) { return ""; }
}
