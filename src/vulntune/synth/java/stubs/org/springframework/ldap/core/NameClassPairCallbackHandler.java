package org.springframework.ldap.core;

import javax.naming.NameClassPair;
import javax.naming.NamingException;

@FunctionalInterface
public interface NameClassPairCallbackHandler {
    void handleNameClassPair(NameClassPair nameClassPair) throws NamingException;
}
