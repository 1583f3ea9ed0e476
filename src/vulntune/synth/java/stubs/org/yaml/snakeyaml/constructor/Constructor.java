package org.yaml.snakeyaml.constructor;

import org.yaml.snakeyaml.LoaderOptions;

public class Constructor extends SafeConstructor {
    public Constructor(LoaderOptions loadingConfig) { super(loadingConfig); }
    public Constructor(Class<?> theRoot, LoaderOptions loadingConfig) { super(loadingConfig); }
}
