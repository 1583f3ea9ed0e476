package org.springframework.jdbc.core;

import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

public class JdbcTemplate {
    public JdbcTemplate() { }
    public JdbcTemplate(DataSource dataSource) { }
    public void setDataSource(DataSource dataSource) { }
    public void execute(String sql) { }
    public <T> T query(String sql, ResultSetExtractor<T> rse) { return null; }
    public void query(String sql, RowCallbackHandler rch) { }
    public <T> List<T> query(String sql, RowMapper<T> rowMapper) { return null; }
    public <T> T query(String sql, ResultSetExtractor<T> rse, Object... args) { return null; }
    public void query(String sql, RowCallbackHandler rch, Object... args) { }
    public <T> List<T> query(String sql, RowMapper<T> rowMapper, Object... args) { return null; }
    public <T> T queryForObject(String sql, Class<T> requiredType) { return null; }
    public <T> T queryForObject(String sql, Class<T> requiredType, Object... args) { return null; }
    public <T> T queryForObject(String sql, RowMapper<T> rowMapper) { return null; }
    public <T> T queryForObject(String sql, RowMapper<T> rowMapper, Object... args) { return null; }
    public Map<String, Object> queryForMap(String sql) { return null; }
    public Map<String, Object> queryForMap(String sql, Object... args) { return null; }
    public List<Map<String, Object>> queryForList(String sql) { return null; }
    public List<Map<String, Object>> queryForList(String sql, Object... args) { return null; }
    public <T> List<T> queryForList(String sql, Class<T> elementType) { return null; }
    public <T> List<T> queryForList(String sql, Class<T> elementType, Object... args) { return null; }
    public int update(String sql) { return 0; }
    public int update(String sql, Object... args) { return 0; }
    public int[] batchUpdate(String... sql) { return new int[0]; }
    public int[] batchUpdate(String sql, List<Object[]> batchArgs) { return new int[0]; }
}
