package javax.persistence;

import java.util.List;

public interface Query {
    List getResultList();
    Object getSingleResult();
    int executeUpdate();
    Query setParameter(String name, Object value);
    Query setParameter(int position, Object value);
    Query setMaxResults(int maxResult);
}
