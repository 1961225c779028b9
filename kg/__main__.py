from kg.launch import main

main()
