package javax.servlet;

import java.io.IOException;
import java.io.OutputStream;

public abstract class ServletOutputStream extends OutputStream {
    protected ServletOutputStream() { }
    public void print(String s) throws IOException { }
    public void print(int i) throws IOException { }
    public void println() throws IOException { }
    public void println(String s) throws IOException { }
    public abstract boolean isReady();
}
