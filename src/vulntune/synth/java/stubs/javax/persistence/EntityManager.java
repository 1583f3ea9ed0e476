package javax.persistence;

public interface EntityManager {
    Query createQuery(String qlString);
    <T> TypedQuery<T> createQuery(String qlString, Class<T> resultClass);
    Query createNativeQuery(String sqlString);
    Query createNativeQuery(String sqlString, Class<?> resultClass);
    <T> T find(Class<T> entityClass, Object primaryKey);
    void persist(Object entity);
}
