"""Java sinks of the catalogue: JDBC, JPA and Spring JdbcTemplate, processes, java.io and
java.nio files, servlet writers, JCA crypto, java.util.Random, serialization, XML factories,
URL connections and HTTP clients, JNDI/LDAP, XPath, redirects, cookies and sessions.

Receivers are matched on their text (`response.getWriter()`) or on the declared type of the
variable they name (`PrintWriter out = ...`), since a method name alone (`print`, `search`,
`parse`) says little.
"""

from __future__ import annotations

from functools import partial

from vulntune.analysis.catalogue import (
    CATALOGUE_OF_SINKS,
    COMMAND_NAME,
    COMMAND_TEXT,
    HTML_TEXT,
    LDAP_TEXT,
    PATH_TEXT,
    SECRET_NAME,
    SQL_TEXT,
    URL_TEXT,
    XPATH_TEXT,
    Construction,
    sink,
)

_java = partial(sink, "java")
_CALL, _NEW = "call", "new"

CATALOGUE_OF_SINKS.register(
    # CWE-89 SQL injection
    _java(
        "CWE-89",
        "sql-jdbc-statement",
        _CALL,
        "*.executeQuery *.executeUpdate *.executeLargeUpdate *.addBatch *.prepareStatement *.prepareCall *.nativeSQL",
        "java.sql.Statement.executeQuery/executeUpdate/addBatch, Connection.prepareStatement",
        data=(0,),
    ),
    _java(
        "CWE-89",
        "sql-jdbc-execute",
        _CALL,
        "*.execute",
        "java.sql.Statement.execute",
        receiver=r"statement|stmt|^(st|ps|cs|s)$|jdbc|template",
        data=(0,),
    ),
    _java(
        "CWE-89",
        "sql-jdbc-template",
        _CALL,
        "*.query *.queryForObject *.queryForList *.queryForMap *.queryForRowSet *.queryForLong *.queryForInt "
        "*.update *.batchUpdate",
        "Spring JdbcTemplate",
        receiver=r"jdbc|template",
        data=(0,),
    ),
    _java(
        "CWE-89",
        "sql-jpa-query",
        _CALL,
        "*.createQuery *.createNativeQuery *.createSQLQuery",
        "JPA EntityManager.createQuery/createNativeQuery, Hibernate createSQLQuery",
        data=(0,),
    ),
    Construction(id="sql-text-built", language="java", cwe="CWE-89", text=SQL_TEXT),
    # CWE-78 OS command injection
    _java("CWE-78", "os-command-exec", _CALL, "*.exec", "java.lang.Runtime.exec"),
    _java("CWE-78", "os-command-process-builder", _NEW, "ProcessBuilder", "java.lang.ProcessBuilder"),
    _java(
        "CWE-78",
        "os-command-builder-command",
        _CALL,
        "*.command",
        "ProcessBuilder.command",
        receiver=r"builder|^pb$|process",
    ),
    _java("CWE-78", "os-command-commons-exec", _CALL, "CommandLine.parse", "Apache Commons Exec CommandLine"),
    Construction(
        id="command-line-built",
        language="java",
        cwe="CWE-78",
        text=COMMAND_TEXT,
        handed_to=r"(?i)(exec|run|command|shell|ssh|execute|system|process)",
        named=COMMAND_NAME,
    ),
    # CWE-22 path traversal
    _java(
        "CWE-22",
        "path-file-new",
        _NEW,
        "File FileInputStream FileOutputStream FileReader FileWriter RandomAccessFile ZipFile JarFile",
        "java.io.File, FileInputStream, FileOutputStream, FileReader, FileWriter",
    ),
    _java(
        "CWE-22",
        "path-nio",
        _CALL,
        "Paths.get Path.of Files.newInputStream Files.newOutputStream Files.readAllBytes Files.readAllLines "
        "Files.readString Files.write Files.writeString Files.delete Files.deleteIfExists Files.copy Files.move "
        "Files.newBufferedReader Files.newBufferedWriter Files.lines Files.list Files.walk Files.createFile "
        "Files.createDirectories Files.newByteChannel *.getResourceAsStream",
        "java.nio.file.Paths.get, Files.*",
    ),
    Construction(
        id="path-text-built",
        language="java",
        cwe="CWE-22",
        text=PATH_TEXT,
        handed_to=r"(?i)^(\w*File\w*|\w*Path|get|of|resolve|\w*Stream|\w*Reader|\w*Writer|read\w*|write\w*"
        r"|delete\w*|copy|move|exists|list)$",
    ),
    # CWE-79 cross-site scripting
    _java(
        "CWE-79",
        "html-servlet-writer",
        _CALL,
        "*.print *.println *.printf *.write *.format *.append",
        "javax.servlet PrintWriter / ServletOutputStream / JspWriter",
        receiver=r"writer|getoutputstream\(\)|^out$|^pw$|printwriter|servletoutputstream|jspwriter",
        data=(),
    ),
    _java("CWE-79", "html-error-page", _CALL, "*.sendError", "HttpServletResponse.sendError(code, message)", data=(1,)),
    _java(
        "CWE-79",
        "html-response-body",
        _CALL,
        "*.body *.entity *.ok",
        "Spring ResponseEntity.body, JAX-RS Response.ok/entity",
        receiver=r"responseentity|response|ok\(\)|status\(|builder",
        data=(0,),
    ),
    Construction(id="html-text-built", language="java", cwe="CWE-79", text=HTML_TEXT, returned=True),
    # CWE-90 LDAP injection
    _java(
        "CWE-90",
        "ldap-search",
        _CALL,
        "*.search *.searchForObject *.searchForContext",
        "javax.naming.directory.DirContext.search, Spring LdapTemplate.search",
        receiver=r"context|ctx|ldap|directory|template",
        data=(0, 1),
    ),
    Construction(id="ldap-filter-built", language="java", cwe="CWE-90", text=LDAP_TEXT, handed_to=r"(?i)search"),
    # CWE-327 broken crypto
    _java(
        "CWE-327",
        "crypto-cipher-instance",
        _CALL,
        "Cipher.getInstance",
        "javax.crypto.Cipher.getInstance",
        # a literal weak transformation, or one named elsewhere: a variable, a field, a getter
        weak=r"(?i)\"(des|desede|tripledes|3des|rc2|rc4|arcfour|blowfish|idea|aes)\"|/ecb/|\"(des|desede|rc2|rc4|"
        r"blowfish)/|getInstance\(\s*[a-z_][\w.]*(\(\s*\))?\s*[,)]",
    ),
    _java(
        "CWE-327",
        "crypto-key-instance",
        _CALL,
        "KeyGenerator.getInstance SecretKeyFactory.getInstance SSLContext.getInstance",
        "KeyGenerator/SecretKeyFactory (DES), SSLContext (SSL, TLSv1)",
        weak=r"(?i)\"(des|desede|tripledes|rc2|rc4|arcfour|blowfish|ssl|sslv2|sslv3|tlsv1|tlsv1\.1)\""
        r"|getInstance\(\s*[a-z_]\w*\s*[,)]",
    ),
    _java("CWE-327", "crypto-des-key-spec", _NEW, "DESKeySpec DESedeKeySpec", "javax.crypto.spec.DESKeySpec"),
    # CWE-328 weak hash
    _java(
        "CWE-328",
        "hash-message-digest",
        _CALL,
        "MessageDigest.getInstance",
        "java.security.MessageDigest.getInstance(MD5/SHA-1)",
        weak=r"(?i)\"(md2|md4|md5|sha|sha1|sha-1)\"|getInstance\(\s*[a-z_]\w*\s*[,)]",
    ),
    _java(
        "CWE-328",
        "hash-weak-helper",
        _CALL,
        "DigestUtils.md5 DigestUtils.md5Hex DigestUtils.sha1 DigestUtils.sha1Hex DigestUtils.sha DigestUtils.shaHex "
        "DigestUtils.getMd5Digest DigestUtils.getSha1Digest Hashing.md5 Hashing.sha1",
        "commons-codec DigestUtils.md5Hex, Guava Hashing.md5",
    ),
    # CWE-330 predictable random
    _java("CWE-330", "random-predictable", _NEW, "Random", "java.util.Random"),
    _java(
        "CWE-330",
        "random-predictable-call",
        _CALL,
        "Math.random ThreadLocalRandom.current RandomStringUtils.random RandomStringUtils.randomAlphanumeric "
        "RandomStringUtils.randomNumeric RandomStringUtils.randomAlphabetic *.setSeed",
        "Math.random, ThreadLocalRandom, RandomStringUtils, a fixed seed",
    ),
    # CWE-501 trust boundary
    _java(
        "CWE-501",
        "session-set-attribute",
        _CALL,
        "*.setAttribute *.putValue",
        "javax.servlet.http.HttpSession.setAttribute",
        receiver=r"session",
        data=(1,),
    ),
    _java(
        "CWE-501",
        "session-scope-attribute",
        _CALL,
        "*.setAttribute",
        "RequestAttributes.setAttribute(SCOPE_SESSION)",
        weak=r"SCOPE_SESSION|SCOPE_GLOBAL_SESSION",
        data=(1,),
    ),
    # CWE-502 deserialization
    _java(
        "CWE-502",
        "deserialize-object-stream",
        _CALL,
        "*.readObject *.readUnshared *.fromXML",
        "ObjectInputStream.readObject, XMLDecoder.readObject, XStream.fromXML",
        receiver_is_data=True,
    ),
    _java(
        "CWE-502",
        "deserialize-library",
        _CALL,
        "*.enableDefaultTyping *.activateDefaultTyping SerializationUtils.deserialize",
        "Jackson default typing, commons-lang SerializationUtils",
    ),
    _java(
        "CWE-502",
        "deserialize-json-typed",
        _CALL,
        "*.readValue *.treeToValue *.convertValue",
        "Jackson ObjectMapper.readValue (dangerous with default typing)",
        receiver=r"json|mapper|jackson|reader",
        data=(0,),
    ),
    _java(
        "CWE-502",
        "deserialize-yaml",
        _CALL,
        "*.load *.loadAll *.loadAs",
        "SnakeYAML Yaml.load",
        receiver=r"yaml",
        data=(0,),
        receiver_is_data=True,
    ),
    # CWE-601 open redirect
    _java("CWE-601", "redirect-send", _CALL, "*.sendRedirect", "HttpServletResponse.sendRedirect", data=(0,)),
    _java("CWE-601", "redirect-view", _NEW, "RedirectView", "Spring RedirectView", data=(0,)),
    _java(
        "CWE-601",
        "redirect-location-header",
        _CALL,
        "*.setHeader *.addHeader *.header",
        "Location header",
        weak=r"(?i)\"location\"|HttpHeaders\.LOCATION",
        data=(1,),
    ),
    _java(
        "CWE-601",
        "redirect-response-location",
        _CALL,
        "*.location Response.seeOther Response.temporaryRedirect Response.status",
        "ResponseEntity.location, JAX-RS Response.seeOther/temporaryRedirect",
        weak=r"(?i)location\(|seeOther\(|temporaryRedirect\(|status\(\s*(30[12378]|HttpStatus\.(FOUND|SEE_OTHER))",
    ),
    Construction(id="redirect-view-built", language="java", cwe="CWE-601", text=r"^redirect:", returned=True),
    # CWE-611 XXE
    _java(
        "CWE-611",
        "xml-parse",
        _CALL,
        "*.parse *.createXMLStreamReader *.createXMLEventReader *.transform *.unmarshal *.build *.read",
        "DocumentBuilder.parse, SAXParser.parse, XMLReader.parse, XMLInputFactory, Transformer.transform",
        receiver=r"builder|parser|xmlreader|reader|factory|transformer|unmarshaller|saxbuilder|saxreader"
        r"|newdocumentbuilder\(\)|newsaxparser\(\)|getxmlreader\(\)|newtransformer",
        receiver_is_data=True,
    ),
    # CWE-614 cookie without Secure
    _java("CWE-614", "cookie-add", _CALL, "*.addCookie", "HttpServletResponse.addCookie", data=(0,)),
    _java(
        "CWE-614",
        "cookie-secure-flag",
        _CALL,
        "*.setSecure *.secure",
        "Cookie.setSecure(false)",
        weak=r"(?i)secure\(\s*false\s*\)",
    ),
    _java("CWE-614", "cookie-new-jaxrs", _NEW, "NewCookie", "javax.ws.rs.core.NewCookie"),
    _java(
        "CWE-614",
        "cookie-header",
        _CALL,
        "*.setHeader *.addHeader *.header",
        "Set-Cookie header",
        weak=r"(?i)\"set-cookie\"|HttpHeaders\.SET_COOKIE",
    ),
    # CWE-643 XPath injection
    _java(
        "CWE-643",
        "xpath-evaluate",
        _CALL,
        "*.evaluate *.compile *.selectNodes *.selectSingleNode *.valueOf",
        "javax.xml.xpath.XPath.evaluate/compile, dom4j selectNodes",
        receiver=r"xpath|^xp$|document|^doc$|node",
        data=(0,),
    ),
    Construction(
        id="xpath-text-built", language="java", cwe="CWE-643", text=XPATH_TEXT, handed_to=r"(?i)evaluate|compile|select"
    ),
    # CWE-798 hard-coded credentials
    _java(
        "CWE-798",
        "credential-literal",
        "literal",
        (SECRET_NAME,),
        "a password, key or token assigned as a string literal",
    ),
    _java(
        "CWE-798",
        "credential-connection",
        _CALL,
        "DriverManager.getConnection *.getConnection",
        "java.sql.DriverManager.getConnection(url, user, password)",
        data=(2,),
    ),
    _java(
        "CWE-798",
        "credential-object",
        _NEW,
        "PasswordAuthentication SecretKeySpec KerberosKey",
        "java.net.PasswordAuthentication, javax.crypto.spec.SecretKeySpec",
        data=(0, 1),
    ),
    _java(
        "CWE-798",
        "credential-call",
        _CALL,
        "*.put *.header *.setPassword *.password *.addRequestProperty *.setRequestProperty",
        "JNDI SECURITY_CREDENTIALS, Authorization header, setPassword(literal)",
        weak=r"(?i)security_credentials|\"authorization\"|(setpassword|password)\(\s*\"",
    ),
    # CWE-918 SSRF
    _java(
        "CWE-918",
        "ssrf-url-connection",
        _CALL,
        "*.openConnection *.openStream",
        "java.net.URL.openConnection/openStream",
        receiver_is_data=True,
        data=(0,),
    ),
    _java(
        "CWE-918",
        "ssrf-http-client",
        _CALL,
        "*.send *.sendAsync *.getForObject *.getForEntity *.postForObject *.postForEntity *.exchange "
        "*.execute *.retrieve",
        "java.net.http.HttpClient.send, RestTemplate, Apache HttpClient",
        receiver=r"client|rest|template|http",
        data=(0,),
    ),
    Construction(
        id="url-text-built",
        language="java",
        cwe="CWE-918",
        text=URL_TEXT,
        handed_to=r"(?i)^(URL|URI|create|newBuilder|uri|getForObject|getForEntity|exchange)$",
    ),
)
