package org.yaml.snakeyaml.constructor;

import org.yaml.snakeyaml.LoaderOptions;

public class SafeConstructor extends BaseConstructor {
    public SafeConstructor(LoaderOptions loadingConfig) { super(loadingConfig); }
}
