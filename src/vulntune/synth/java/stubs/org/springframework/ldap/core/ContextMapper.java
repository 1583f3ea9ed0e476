package org.springframework.ldap.core;

import javax.naming.NamingException;

@FunctionalInterface
public interface ContextMapper<T> {
    T mapFromContext(Object ctx) throws NamingException;
}
