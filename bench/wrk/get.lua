-- A plain GET of the URL given to wrk (the trivial-endpoint ceiling), paced like the others.
dofile(os.getenv("WRK_DIR") .. "/common.lua")
