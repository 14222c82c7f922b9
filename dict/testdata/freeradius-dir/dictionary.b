BEGIN-VENDOR	Radscope-Dir
ATTRIBUTE	Radscope-Dir-Name		1	string
END-VENDOR	Radscope-Dir
