package org.springframework.ldap.core;

import javax.naming.NamingException;
import javax.naming.directory.Attributes;

@FunctionalInterface
public interface AttributesMapper<T> {
    T mapFromAttributes(Attributes attributes) throws NamingException;
}
