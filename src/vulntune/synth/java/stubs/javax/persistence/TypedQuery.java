package javax.persistence;

import java.util.List;

public interface TypedQuery<X> extends Query {
    List<X> getResultList();
    X getSingleResult();
    TypedQuery<X> setParameter(String name, Object value);
    TypedQuery<X> setParameter(int position, Object value);
    TypedQuery<X> setMaxResults(int maxResult);
}
