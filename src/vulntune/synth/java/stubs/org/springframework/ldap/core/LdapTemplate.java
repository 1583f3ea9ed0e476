package org.springframework.ldap.core;

import java.util.List;

public class LdapTemplate {
    public LdapTemplate() { }
    public <T> List<T> search(String base, String filter, AttributesMapper<T> mapper) { return null; }
    public <T> List<T> search(String base, String filter, ContextMapper<T> mapper) { return null; }
    public void search(String base, String filter, NameClassPairCallbackHandler handler) { }
    public <T> List<T> search(String base, String filter, int searchScope, AttributesMapper<T> mapper) { return null; }
    public boolean authenticate(String base, String filter, String password) { return false; }
}
