package org.yaml.snakeyaml;

public class LoaderOptions {
    public LoaderOptions() { }
    public void setAllowDuplicateKeys(boolean allowDuplicateKeys) { }
    public void setMaxAliasesForCollections(int maxAliasesForCollections) { }
}
