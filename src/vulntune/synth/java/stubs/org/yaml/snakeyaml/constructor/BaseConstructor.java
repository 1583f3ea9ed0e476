package org.yaml.snakeyaml.constructor;

import org.yaml.snakeyaml.LoaderOptions;

public abstract class BaseConstructor {
    public BaseConstructor(LoaderOptions loadingConfig) { }
}
