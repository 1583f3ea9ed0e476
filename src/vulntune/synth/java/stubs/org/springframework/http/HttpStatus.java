package org.springframework.http;

public enum HttpStatus {
    OK(200), CREATED(201), NO_CONTENT(204), MOVED_PERMANENTLY(301), FOUND(302), SEE_OTHER(303),
    TEMPORARY_REDIRECT(307), BAD_REQUEST(400), FORBIDDEN(403), NOT_FOUND(404);

    private final int value;

    HttpStatus(int value) { this.value = value; }
    public int value() { return value; }
}
