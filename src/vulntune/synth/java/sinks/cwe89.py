"""CWE-89 SQL injection: JDBC and JdbcTemplate statements built by concatenation."""

from vulntune.synth.java.sinks.common import fix, sink, vocabulary

CWE = "CWE-89"
VOCABULARY = vocabulary(
    cwe=CWE,
    params=("name", "email", "sort", "status", "owner", "customerId", "ref"),
    constants=("active", "guest", "pending", "archived"),
    headers=("X-Tenant", "X-Account"),
)

_DS = "$inject\nprivate DataSource $ds;"
_JT = "$inject\nprivate JdbcTemplate $jdbc;"
_JDBC = ("java.sql.Connection", "java.sql.SQLException", "javax.sql.DataSource")
_JT_IMPORTS = ("org.springframework.jdbc.core.JdbcTemplate",)
_CATCH = "} catch (SQLException $e) {\n    throw new IllegalStateException($e);\n}"

_PREPARED_SELECT = fix(
    id="prepared-statement",
    imports=("java.sql.PreparedStatement", "java.sql.ResultSet"),
    code='String $sql = "SELECT id, $column FROM $table WHERE $column = ?";\n'
    "try (Connection $conn = $ds.getConnection();\n"
    "        PreparedStatement $stmt = $conn.prepareStatement($sql)) {\n"
    "    $stmt.setString(1, $value);\n"
    "@@    ResultSet $rs = $stmt.executeQuery();\n"
    "    while ($rs.next()) {\n"
    '        $log.info("row " + $rs.getLong("id"));\n'
    "    }\n" + _CATCH,
)

sink(
    id="sql-concat-execute-query",
    cwe=CWE,
    api="java.sql.Statement.executeQuery",
    prelude=_DS,
    imports=_JDBC + ("java.sql.Statement", "java.sql.ResultSet"),
    vulnerable='String $sql = "SELECT id, $column FROM $table WHERE $column = \'" + $value + "\'";\n'
    "try (Connection $conn = $ds.getConnection();\n"
    "        Statement $stmt = $conn.createStatement()) {\n"
    "@@    ResultSet $rs = $stmt.executeQuery($sql);\n"
    "    while ($rs.next()) {\n"
    '        $log.info("row " + $rs.getLong("id"));\n'
    "    }\n" + _CATCH,
    fixes=(_PREPARED_SELECT,),
)

sink(
    id="sql-concat-execute",
    cwe=CWE,
    api="java.sql.Statement.execute",
    prelude=_DS,
    imports=_JDBC + ("java.sql.Statement",),
    vulnerable="try (Connection $conn = $ds.getConnection();\n"
    "        Statement $stmt = $conn.createStatement()) {\n"
    '@@    $stmt.execute("UPDATE $table SET updated_at = CURRENT_TIMESTAMP WHERE $column = \'" + $value + "\'");\n'
    + _CATCH,
    fixes=(
        fix(
            id="prepared-statement-update",
            imports=("java.sql.PreparedStatement",),
            code="try (Connection $conn = $ds.getConnection();\n"
            '        PreparedStatement $stmt = $conn.prepareStatement("UPDATE $table SET updated_at = CURRENT_TIMESTAMP WHERE $column = ?")) {\n'
            "    $stmt.setString(1, $value);\n"
            "@@    $stmt.executeUpdate();\n" + _CATCH,
        ),
    ),
)

sink(
    id="sql-concat-add-batch",
    cwe=CWE,
    api="java.sql.Statement.addBatch",
    prelude=_DS,
    imports=_JDBC + ("java.sql.Statement",),
    vulnerable="try (Connection $conn = $ds.getConnection();\n"
    "        Statement $stmt = $conn.createStatement()) {\n"
    '@@    $stmt.addBatch("DELETE FROM $table WHERE $column = \'" + $value + "\'");\n'
    '    $stmt.addBatch("DELETE FROM $table WHERE created_at < CURRENT_DATE - 365");\n'
    "    $stmt.executeBatch();\n" + _CATCH,
    fixes=(
        fix(
            id="prepared-batch",
            imports=("java.sql.PreparedStatement",),
            code="try (Connection $conn = $ds.getConnection();\n"
            '        PreparedStatement $stmt = $conn.prepareStatement("DELETE FROM $table WHERE $column = ?")) {\n'
            "    $stmt.setString(1, $value);\n"
            "@@    $stmt.addBatch();\n"
            "    $stmt.executeBatch();\n" + _CATCH,
        ),
    ),
)

sink(
    id="sql-concat-prepare-statement",
    cwe=CWE,
    api="java.sql.Connection.prepareStatement",
    prelude=_DS,
    imports=_JDBC + ("java.sql.PreparedStatement", "java.sql.ResultSet"),
    vulnerable="try (Connection $conn = $ds.getConnection()) {\n"
    '@@    PreparedStatement $stmt = $conn.prepareStatement("SELECT id, $column FROM $table WHERE $column = \'" + $value + "\' ORDER BY id");\n'
    "    try (ResultSet $rs = $stmt.executeQuery()) {\n"
    "        while ($rs.next()) {\n"
    '            $log.info("match " + $rs.getString(2));\n'
    "        }\n"
    "    }\n" + _CATCH,
    fixes=(
        fix(
            id="prepared-placeholder",
            code="try (Connection $conn = $ds.getConnection()) {\n"
            '    PreparedStatement $stmt = $conn.prepareStatement("SELECT id, $column FROM $table WHERE $column = ? ORDER BY id");\n'
            "    $stmt.setString(1, $value);\n"
            "@@    try (ResultSet $rs = $stmt.executeQuery()) {\n"
            "        while ($rs.next()) {\n"
            '            $log.info("match " + $rs.getString(2));\n'
            "        }\n"
            "    }\n" + _CATCH,
        ),
    ),
)

sink(
    id="sql-concat-jdbc-template-query-for-list",
    cwe=CWE,
    api="JdbcTemplate.queryForList",
    prelude=_JT,
    imports=_JT_IMPORTS + ("java.util.List", "java.util.Map"),
    vulnerable='@@List<Map<String, Object>> $res = $jdbc.queryForList("SELECT * FROM $table WHERE $column = \'" + $value + "\'");\n'
    '$log.info("found " + $res.size());',
    fixes=(
        fix(
            id="jdbc-template-args",
            code='@@List<Map<String, Object>> $res = $jdbc.queryForList("SELECT * FROM $table WHERE $column = ?", $value);\n'
            '$log.info("found " + $res.size());',
        ),
    ),
)

sink(
    id="sql-concat-jdbc-template-update",
    cwe=CWE,
    api="JdbcTemplate.update",
    prelude=_JT,
    imports=_JT_IMPORTS,
    vulnerable="@@int $n = $jdbc.update(\"UPDATE $table SET status = 'closed' WHERE $column = '\" + $value + \"'\");\n"
    '$log.info("updated " + $n);',
    fixes=(
        fix(
            id="jdbc-template-update-args",
            code="@@int $n = $jdbc.update(\"UPDATE $table SET status = 'closed' WHERE $column = ?\", $value);\n"
            '$log.info("updated " + $n);',
        ),
    ),
)

sink(
    id="sql-concat-jdbc-template-query",
    cwe=CWE,
    api="JdbcTemplate.query",
    prelude=_JT,
    imports=_JT_IMPORTS + ("java.util.List",),
    vulnerable='@@List<String> $res = $jdbc.query("SELECT $column FROM $table WHERE $column LIKE \'%" + $value + "%\'",\n'
    "        (resultRow, rowNum) -> resultRow.getString(1));\n"
    '$log.info("found " + $res.size());',
    fixes=(
        fix(
            id="jdbc-template-query-args",
            code='@@List<String> $res = $jdbc.query("SELECT $column FROM $table WHERE $column LIKE ?",\n'
            '        (resultRow, rowNum) -> resultRow.getString(1), "%" + $value + "%");\n'
            '$log.info("found " + $res.size());',
        ),
    ),
)

_EM = "@PersistenceContext\nprivate EntityManager $em;"
_JPA = ("javax.persistence.EntityManager", "javax.persistence.PersistenceContext")

sink(
    id="jpql-concat-create-query",
    cwe=CWE,
    api="javax.persistence.EntityManager.createQuery",
    prelude=_EM,
    imports=_JPA + ("javax.persistence.TypedQuery",),
    vulnerable='@@TypedQuery<Long> $q = $em.createQuery("SELECT COUNT(x) FROM $Entity x WHERE x.$column = \'" + $value + "\'", Long.class);\n'
    '$log.info("count " + $q.getSingleResult());',
    fixes=(
        fix(
            id="jpql-named-parameter",
            code='@@TypedQuery<Long> $q = $em.createQuery("SELECT COUNT(x) FROM $Entity x WHERE x.$column = :$column", Long.class);\n'
            '$q.setParameter("$column", $value);\n'
            '$log.info("count " + $q.getSingleResult());',
        ),
        fix(
            id="jpql-positional-parameter",
            code='@@TypedQuery<Long> $q = $em.createQuery("SELECT COUNT(x) FROM $Entity x WHERE x.$column = ?1", Long.class);\n'
            "$q.setParameter(1, $value);\n"
            '$log.info("count " + $q.getSingleResult());',
        ),
    ),
)

sink(
    id="sql-concat-create-native-query",
    cwe=CWE,
    api="javax.persistence.EntityManager.createNativeQuery",
    prelude=_EM,
    imports=_JPA + ("javax.persistence.Query",),
    vulnerable='@@Query $q = $em.createNativeQuery("DELETE FROM $table WHERE $column = \'" + $value + "\'");\n'
    "int $n = $q.executeUpdate();\n"
    '$log.info("removed " + $n);',
    fixes=(
        fix(
            id="native-positional-parameter",
            code='@@Query $q = $em.createNativeQuery("DELETE FROM $table WHERE $column = ?1");\n'
            "$q.setParameter(1, $value);\n"
            "int $n = $q.executeUpdate();\n"
            '$log.info("removed " + $n);',
        ),
    ),
)

sink(
    id="sql-concat-jdbc-template-query-for-object",
    cwe=CWE,
    api="JdbcTemplate.queryForObject",
    prelude=_JT,
    imports=_JT_IMPORTS,
    vulnerable='String $sql = "SELECT COUNT(*) FROM $table";\n'
    '$sql += " WHERE $column = \'" + $value + "\'";\n'
    "@@Integer $n = $jdbc.queryForObject($sql, Integer.class);\n"
    '$log.info("count " + $n);',
    fixes=(
        fix(
            id="jdbc-template-object-args",
            code='String $sql = "SELECT COUNT(*) FROM $table";\n'
            '$sql += " WHERE $column = ?";\n'
            "@@Integer $n = $jdbc.queryForObject($sql, Integer.class, $value);\n"
            '$log.info("count " + $n);',
        ),
    ),
)
