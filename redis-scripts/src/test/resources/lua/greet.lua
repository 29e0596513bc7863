-- ARGV[1]: a name; returns the prelude's greeting for it
return greeting(ARGV[1])
